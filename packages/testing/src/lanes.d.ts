/** A suite runs alone when it is end-to-end, a reliability suite, or says `@lane isolated` in its first lines. */
export function isIsolated(root: string, file: string): boolean;
