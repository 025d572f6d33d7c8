import { IsOptional, IsString } from 'class-validator';
import { defineConfig } from './define-config';
import { IsHttpUrl } from './validators';

class LlmEnv {
  @IsOptional() @IsString() OPENAI_API_KEY?: string = undefined;
  @IsOptional() @IsHttpUrl() OPENAI_BASE_URL?: string = undefined;
}

export interface LlmSettings {
  /** openai: a key or base URL is set; local: the embedded algorithms. */
  provider: 'openai' | 'local';
  apiKey?: string;
  baseUrl?: string;
}

export const llmConfig = defineConfig<LlmEnv, LlmSettings>('llm', LlmEnv, (env) => ({
  provider: env.OPENAI_API_KEY || env.OPENAI_BASE_URL ? 'openai' : 'local',
  apiKey: env.OPENAI_API_KEY,
  baseUrl: env.OPENAI_BASE_URL,
}));
