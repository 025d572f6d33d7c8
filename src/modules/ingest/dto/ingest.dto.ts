import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  registerDecorator,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(value: unknown): boolean {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** A calendar date that exists (2024-02-30 does not). */
const IsCalendarDate = () =>
  Matches(DATE, { message: '$property must be a date as YYYY-MM-DD' });

function IsRealDate() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isRealDate',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => !DATE.test(String(value)) || isRealDate(value),
        defaultMessage: (args?: ValidationArguments) => `${args?.property} is not a calendar date`,
      },
    });
}

function IsOnOrAfter(other: string) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isOnOrAfter',
      target: object.constructor,
      propertyName,
      constraints: [other],
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const start = (args.object as Record<string, unknown>)[other];
          return !isRealDate(value) || !isRealDate(start) || String(value) >= String(start);
        },
        defaultMessage: (args?: ValidationArguments) => `${args?.property} must be on or after ${other}`,
      },
    });
}

export class IngestOptionsDto {
  @ApiPropertyOptional({ description: 're-summarize and re-embed even rows whose content did not change' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class StartIngestDto {
  @ApiPropertyOptional({ description: 'optional; must be the key’s company' })
  @IsOptional()
  @IsString()
  company_id?: string;

  @ApiProperty({ example: '2024-01-01', description: 'first day (UTC) of rows updated in the range' })
  @IsCalendarDate()
  @IsRealDate()
  start_date: string;

  @ApiProperty({ example: '2024-12-31', description: 'last day (UTC), on or after start_date' })
  @IsCalendarDate()
  @IsRealDate()
  @IsOnOrAfter('start_date')
  end_date: string;

  @ApiPropertyOptional({ enum: ['tickets', 'articles'], isArray: true, default: ['tickets'], maxItems: 5 })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsIn(['tickets', 'articles'], { each: true, message: '$property[*] must be one of: tickets, articles' })
  data_types?: Array<'tickets' | 'articles'>;

  @ApiPropertyOptional({ type: IngestOptionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => IngestOptionsDto)
  options?: IngestOptionsDto;
}

export class JobIdParamDto {
  @IsString()
  @Matches(/^[A-Za-z0-9:,_-]{1,200}$/, { message: '$property is not a job id' })
  job_id: string;
}

export class JobAcceptedDto {
  @ApiProperty({ format: 'uuid' }) job_id: string;
}

export class JobProgressDto {
  @ApiProperty() processed: number;
  @ApiProperty() total: number;
  @ApiProperty() failed: number;
}

export class JobErrorDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['tickets', 'articles'] }) type: string;
  @ApiProperty() error: string;
}

export class JobStatusDto {
  @ApiProperty() job_id: string;
  @ApiProperty({ enum: ['waiting', 'active', 'completed', 'failed', 'delayed', 'paused', 'unknown'] }) state: string;
  @ApiProperty({ type: JobProgressDto }) progress: JobProgressDto;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'counts once the job ran' })
  stats: Record<string, number>;
  @ApiProperty({ type: [JobErrorDto], description: 'every item that failed (up to 1,000)' }) errors: JobErrorDto[];
  @ApiPropertyOptional({ description: 'why the job itself failed' }) failed_reason?: string;
}
