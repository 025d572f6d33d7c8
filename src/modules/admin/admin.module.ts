import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CompaniesController } from './companies.controller';
import { CompanyExportController } from './company-export.controller';
import { CompanyExportService } from './company-export.service';

@Module({
  imports: [DiscoveryModule],
  controllers: [CompaniesController, CompanyExportController],
  providers: [CompanyExportService],
})
export class AdminModule {}
