/** Monitor event mask bits (dbEvent.h / caeventmask.h): what a posted change is about. */
export const DBE = {
  VALUE: 1,
  LOG: 2,
  ARCHIVE: 2,
  ALARM: 4,
  PROPERTY: 8,
} as const;
