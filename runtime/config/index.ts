/**
 * Public API of the config toolchain: load a tree into a snapshot, validate trees, format
 * problems. (The watcher and config manager live beside it.)
 */
export { createConfigLoader, type Analysis, type AnalyzeOptions, type ConfigLoader, type LoadOptions, type LoadResult } from './loader.js';
export { validateDirs, validateTrees, ConfigDirError, type ValidateOptions, type ValidateSummary } from './validate.js';
export { formatProblems, problemFormats, type ProblemFormat, type SourceLookup } from './format.js';
export { rules, type RuleId } from './rules.js';
export { MAX_FILE_BYTES, MAX_ALIAS_NODES } from './yaml-options.js';
export { TELEGRAM_API_URL, SLACK_API_URL } from './build-resolved.js';
export { durationToMs } from './duration.js';
export { isSigningSecret } from './document-checks.js';
