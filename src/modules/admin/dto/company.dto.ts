import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export const COMPANY_ID_PATTERN = /^[a-z0-9_-]{2,50}$/;
const COMPANY_ID_MESSAGE = '$property must be 2-50 characters of a-z, 0-9, _ and -';

export class CreateCompanyDto {
  @ApiProperty({ pattern: COMPANY_ID_PATTERN.source, example: 'acme' })
  @IsString()
  @Matches(COMPANY_ID_PATTERN, { message: COMPANY_ID_MESSAGE })
  company_id: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Acme Inc.' })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class CompanyIdParamDto {
  @IsString()
  @Matches(COMPANY_ID_PATTERN, { message: COMPANY_ID_MESSAGE })
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
