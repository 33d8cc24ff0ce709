// The compatibility matrix's row for @pulumi/pulumi 3.276.0 (see matrix.ts and cells.ts).
import { describeCells } from "./cells";
import { NEWEST_PULUMI } from "./matrix";

jest.setTimeout(240_000);

describeCells(NEWEST_PULUMI);
