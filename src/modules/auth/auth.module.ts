import { Global, Module } from '@nestjs/common';
import { RedisConnection } from '../../common/redis/redis-connection.adapter';
import { LocalRevocationChannel } from './adapters/local.revocation-channel.adapter';
import { RedisRevocationChannel } from './adapters/redis.revocation-channel.adapter';
import { RevocationChannel } from './ports/revocation-channel.port';
import { ApiKeyRepository, CompanyRepository } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';
import { AdminKeyService } from './admin-key.service';
import { CompanyRecordExporter } from './company-record.exporter';
import { CompanyRecordRepository } from './company-record.repository';
import { ApiKeysEraser, CompanyRowEraser } from './company-access.eraser';

@Global()
@Module({
  providers: [
    {
      // The cache Redis every API instance shares; one process needs no channel beyond itself.
      provide: RevocationChannel,
      inject: [RedisConnection],
      useFactory: (redis: RedisConnection): RevocationChannel =>
        redis.client
          ? new RedisRevocationChannel(redis.client, redis.keyPrefix)
          : new LocalRevocationChannel(),
    },
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
