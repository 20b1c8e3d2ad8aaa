/** A trace value as a number: a scalar, or the first element of a numeric array; else undefined. */
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : Array.isArray(v) && typeof v[0] === 'number' ? v[0] : undefined);
