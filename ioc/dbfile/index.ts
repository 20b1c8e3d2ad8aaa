/** EPICS database files: macro expansion, .db parsing, substitution files, and the loader. */
export {
  expandMacros,
  expandString,
  macroValue,
  parseMacroList,
  toMacroTable,
  rawFromQuoted,
  type MacroTable,
  type MacroInput,
  type MacroError,
  type ExpandOptions,
  type ExpandResult,
} from './macros.js';
export {
  parseDb,
  fieldValue,
  formatDbError,
  DbDefinitions,
  type DbPosition,
  type DbError,
  type DbFieldDef,
  type DbInfoDef,
  type DbRecordDef,
  type DbAliasDef,
  type DbIncludeRef,
  type IncludeRequest,
  type IncludeResolution,
  type ParseDbOptions,
  type ParseDbResult,
} from './db-parser.js';
export { translateEscapes } from './lexer.js';
export {
  parseSubstitutions,
  type SubstitutionSet,
  type ParseSubstitutionsOptions,
  type ParseSubstitutionsResult,
} from './substitutions.js';
export {
  loadDatabase,
  type LoadDatabaseOptions,
  type LoadDatabaseResult,
  type SubstitutionsSpec,
  type DbValidationIssue,
} from './loader.js';
