import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../../config/config';
import { CompanyErasureController } from './company-erasure.controller';
import { CompanyErasureProcessor } from './company-erasure.processor';
import { CompanyErasureService } from './company-erasure.service';

/**
 * Company erasure: the routes (api roles), the job and its reconciler (worker roles). The erasers themselves
 * are provided by the modules owning each store (CompanyEraser) and found here by discovery.
 */
@Module({})
export class ErasureModule {
  static register(config: AppConfig): DynamicModule {
    const runsJobs = config.app.role !== 'api';
    const servesApi = config.app.role !== 'worker';
    return {
      module: ErasureModule,
      imports: [DiscoveryModule],
      controllers: servesApi ? [CompanyErasureController] : [],
      providers: [CompanyErasureService, ...(runsJobs ? [CompanyErasureProcessor] : [])],
      exports: [CompanyErasureService],
    };
  }
}
