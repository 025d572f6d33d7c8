/** What every model call carries: whose it is, what it is for, and how urgent it is. */
export type LlmPurpose = 'summary' | 'answer' | 'reply' | 'embed';
export type LlmPriority = 'interactive' | 'background';
