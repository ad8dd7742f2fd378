export { ChatPromptor, type ChatPromptorConfig, DEFAULT_CHAT_TEMPLATE } from './chat-promptor.js';
export { type FormattedContext, formatContext, NO_DOCUMENTS } from './format-context.js';
export { PromptTemplate } from './prompt-template.js';
export { DEFAULT_QA_TEMPLATE, QAPromptor, type QAPromptorConfig, type WithPrompt } from './qa-promptor.js';
export { DEFAULT_SUMMARIZATION_TEMPLATE, SummarizationPromptor, type SummarizationPromptorConfig } from './summarization-promptor.js';
