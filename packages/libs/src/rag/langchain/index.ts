export { langChainDocumentId } from './document-id.js';
export { type LangChainDocumentLoader, LangChainLoaderSource, type LangChainLoaderSourceConfig } from './langchain-loader-source.js';
export { LangChainRetriever, type LangChainRetrieverConfig } from './langchain-retriever.js';
export { LangChainRunnable, type LangChainRunnableConfig } from './langchain-runnable.js';
export { SageRetriever, type SageRetrieverMode, type SageRetrieverOptions } from './sage-retriever.js';
