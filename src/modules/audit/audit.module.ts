import { DynamicModule, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** Global: any module running an admin action records it with AuditService (the worker too: erasures). */
@Module({})
export class AuditModule {
  static register(options: { serveApi: boolean }): DynamicModule {
    return {
      module: AuditModule,
      global: true,
      controllers: options.serveApi ? [AuditController] : [],
      providers: [AuditRepository, AuditService],
      exports: [AuditService],
    };
  }
}
