import { IsOptional, IsString } from 'class-validator';
import { defineConfig } from './define-config';
import { IsHttpUrl } from './validators';

class SearchEnv {
  @IsOptional() @IsHttpUrl() QDRANT_URL?: string = undefined;
  @IsOptional() @IsString() QDRANT_API_KEY?: string = undefined;
}

export interface SearchSettings {
  /** qdrant: QDRANT_URL is set; embedded: the in-process index under DATA_DIR. */
  vectorStore: 'qdrant' | 'embedded';
  qdrantUrl?: string;
  qdrantApiKey?: string;
}

export const searchConfig = defineConfig<SearchEnv, SearchSettings>('search', SearchEnv, (env) => ({
  vectorStore: env.QDRANT_URL ? 'qdrant' : 'embedded',
  qdrantUrl: env.QDRANT_URL,
  qdrantApiKey: env.QDRANT_API_KEY,
}));
