export { type CliIo, processIo, type TextSink } from './cli-io.js';
export { createProgram, runCli } from './cli.js';
export { initConfig, type InitConfigOptions, SAGE_CONFIG_TEMPLATE_PATH } from './config/init-config.js';
export { showConfig, type ShowConfigOptions } from './config/show-config.js';
export { createDefaultChecks } from './doctor/default-checks.js';
export { createDoctorContext, doctor, type DoctorOptions } from './doctor/doctor.js';
export type {
  CheckResult,
  CheckStatus,
  DoctorCheck,
  DoctorContext,
  DoctorReportEntry,
} from './doctor/doctor-check.js';
export { formatReportJson, formatReportText } from './doctor/format-report.js';
export { NATIVE_ADDONS, type NativeAddon, type NativeAddonProbeResult } from './doctor/native-addons.js';
export { type DoctorReport, runChecks } from './doctor/run-checks.js';
export { displayRedisUrl, pingRedis, type RedisPingResult } from './doctor/redis-ping.js';
export { describeEnvVariables, type EnvVariableSource, type EnvVariableStatus, showEnv } from './env/show-env.js';
export { setupEnv, type SetupEnvOptions } from './env/setup-env.js';
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
export { formatError, isSageErrorLike } from './format-error.js';
export { readCliVersion } from './package-paths.js';
export { type RunOptions, runCommand } from './run/run-command.js';
export { PipelineFileError, resolvePipelineFile, runPipelineFile } from './run/run-pipeline-file.js';
