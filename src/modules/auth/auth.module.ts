import { Global, Module } from '@nestjs/common';
import { ApiKeyRepository, CompanyRepository } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';
import { AdminKeyService } from './admin-key.service';

@Global()
@Module({
  providers: [ApiKeyRepository, CompanyRepository, ApiKeysService, AdminKeyService],
  exports: [ApiKeysService, AdminKeyService, CompanyRepository],
})
export class AuthModule {}
