import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, loadConfig } from '../../src/config/config';
import { LlmModule } from '../../src/modules/llm/llm.module';

class BenchConfigModule {}

/** A Nest application context holding only the LLM module, configured from `env` (never process.env). */
export async function createLlmContext(env: Record<string, string>) {
  const config = loadConfig(env);
  @Module({
    imports: [
      {
        module: BenchConfigModule,
        global: true,
        providers: [{ provide: AppConfig, useValue: config }],
        exports: [AppConfig],
      },
      LlmModule,
    ],
  })
  class BenchRootModule {}
  return NestFactory.createApplicationContext(BenchRootModule, { logger: false });
}
