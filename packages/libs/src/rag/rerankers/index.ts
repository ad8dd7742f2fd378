export { CrossEncoderReranker, type CrossEncoderRerankerConfig } from './cross-encoder-reranker.js';
export { EmbeddingReranker, type EmbeddingRerankerConfig } from './embedding-reranker.js';
export { LLM_RERANK_SYSTEM_PROMPT, LLMReranker, type LLMRerankerConfig, llmRerankPrompt } from './llm-reranker.js';
export { parseRelevanceScores } from './relevance-scores.js';
