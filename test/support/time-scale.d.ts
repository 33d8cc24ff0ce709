// Types of time-scale.js (plain JavaScript, since jest's test environment and reporter load it
// untransformed).
export declare const MAX_SCALE: number;
export declare function timeScale(): { scale: number; load: number; cores: number; fixed: boolean };
export declare function scaledBudget(baseMs: number): number;
export declare function describeBudget(baseMs: number): string;
