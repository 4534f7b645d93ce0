/** Game server logging: audit + server logs with rotation. See README.md in this folder. */
export { defaultLogConfig, LOG_SPECS, LOGGER_NAMES, type LogConfig, type LoggerName, type LogSpec } from './config.ts';
export { openLogs, type GameLogger, type GameLogs, type OpenLogsOptions } from './game_logs.ts';
export { formatLine, formatTimestamp, oneLine, renderLine, LEVEL_LABEL, type LogLevel } from './format.ts';
export {
  RotatingFileStream,
  LogFileError,
  type LogFileOp,
  type RecoveryInfo,
  type RotatingFileStreamOptions,
  type RotationPolicy,
} from './rotating_stream.ts';
