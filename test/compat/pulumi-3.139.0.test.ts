// The compatibility matrix's row for @pulumi/pulumi 3.139.0 (see matrix.ts and cells.ts).
import { describeCells } from "./cells";
import { OLDEST_PULUMI } from "./matrix";

jest.setTimeout(240_000);

describeCells(OLDEST_PULUMI);
