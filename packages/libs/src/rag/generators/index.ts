export {
  AutoGenerator,
  type AutoGeneratorConfig,
  createGenerator,
  type GeneratorSelection,
  selectGenerator,
} from './auto-generator.js';
export { ExtractiveGenerator, type ExtractiveGeneratorConfig, NO_ANSWER } from './extractive-generator.js';
export type { GenerateOptions, Generation, Generator } from './generator.js';
export { GeneratorError, type GeneratorErrorDetails, type GeneratorFailure } from './generator-error.js';
export { GeneratorFunction, type GeneratorInput, type GeneratorOutput } from './generator-function.js';
export { type GeneratorProvider, generatorProviders, registerGeneratorProvider } from './generator-providers.js';
export { LlamaCppGenerator, type LlamaCppGeneratorConfig } from './llama-cpp-generator.js';
export type { LlamaGpu } from './llama-gpu.js';
export { OpenAIGenerator, type OpenAIGeneratorConfig } from './openai-generator.js';
