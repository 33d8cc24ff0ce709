// The compatibility matrix's row for @pulumi/pulumi 3.139.0 (see matrix.ts and cells.ts), and the
// native plugin on the oldest stubs it can be loaded with.
import { describeCells, describeNativeCell } from "./cells";
import { OLDEST_PULUMI } from "./matrix";

jest.setTimeout(240_000);

describeCells(OLDEST_PULUMI);
describeNativeCell(OLDEST_PULUMI);
