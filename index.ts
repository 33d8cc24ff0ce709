// The package root: Pulumi resources and lookups (`pulumi-itential`). The API client is
// `pulumi-itential/sdk` and the emulator `pulumi-itential/emulator`.
export * from "./provider";
