import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { COMPANY_ID_PATTERN, IsCompanyId } from '../../../common/tenancy/company-id';

export class CreateCompanyDto {
  @ApiProperty({ pattern: COMPANY_ID_PATTERN.source, example: 'acme' })
  @IsCompanyId()
  company_id: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Acme Inc.' })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class CompanyIdParamDto {
  @IsCompanyId()
  company_id: string;
}

export class ApiKeyParamsDto extends CompanyIdParamDto {
  @IsString()
  @Matches(/^[0-9a-f-]{36}$/, { message: '$property must be a key id returned when the key was issued' })
  key_id: string;
}

export class CompanyCreatedDto {
  @ApiProperty({ example: 'acme' }) company_id: string;
  @ApiProperty({ description: 'shown once; store it now', example: 'sc_1a2b3c4d_…' }) api_key: string;
}

export class ApiKeyIssuedDto {
  @ApiProperty({ description: 'shown once; store it now' }) api_key: string;
  @ApiProperty({ format: 'uuid' }) key_id: string;
}

export class ApiKeyRevokedDto {
  @ApiProperty({ format: 'uuid' }) key_id: string;
  @ApiProperty({ format: 'date-time' }) revoked_at: string;
}
