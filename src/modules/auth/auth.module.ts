import { Global, Module } from '@nestjs/common';
import { ApiKeyRepository, CompanyRepository } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';
import { AdminKeyService } from './admin-key.service';
import { CompanyRecordExporter } from './company-record.exporter';
import { CompanyRecordRepository } from './company-record.repository';
import { ApiKeysEraser, CompanyRowEraser } from './company-access.eraser';

@Global()
@Module({
  providers: [
    ApiKeyRepository,
    CompanyRepository,
    ApiKeysService,
    AdminKeyService,
    // The company export's first line (CompanyExporter, found by discovery).
    CompanyRecordRepository,
    CompanyRecordExporter,
    ApiKeysEraser,
    CompanyRowEraser,
  ],
  exports: [ApiKeysService, AdminKeyService, CompanyRepository],
})
export class AuthModule {}
