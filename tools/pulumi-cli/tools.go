//go:build tools

// Package tools pins the Pulumi CLI this project builds from the Go module proxy.
// The wrapper exists because `go install pkg@version` refuses modules with replace lines.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
