import { Global, Module } from '@nestjs/common';
import { ApiKeyRepository, CompanyRepository } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';
import { AdminKeyService } from './admin-key.service';
import { ApiKeysEraser, CompanyRowEraser } from './company-access.eraser';

@Global()
@Module({
  providers: [
    ApiKeyRepository,
    CompanyRepository,
    ApiKeysService,
    AdminKeyService,
    ApiKeysEraser,
    CompanyRowEraser,
  ],
  exports: [ApiKeysService, AdminKeyService, CompanyRepository],
})
export class AuthModule {}
