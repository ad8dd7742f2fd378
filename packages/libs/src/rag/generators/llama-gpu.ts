/**
 * `false`: CPU only. Otherwise the GPU backend node-llama-cpp should use, when its binary is installed.
 * Kept apart from the module that imports node-llama-cpp's types, so that the public types never need it.
 */
export type LlamaGpu = false | 'auto' | 'cuda' | 'vulkan' | 'metal';
