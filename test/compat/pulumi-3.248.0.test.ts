// The compatibility matrix's row for @pulumi/pulumi 3.248.0 (see matrix.ts and cells.ts).
import { describeCells } from "./cells";
import { DEV_PULUMI } from "./matrix";

jest.setTimeout(240_000);

describeCells(DEV_PULUMI);
