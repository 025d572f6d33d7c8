import { ApiProperty } from '@nestjs/swagger';

/** The one error body of API.md. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ example: 'Bad Request' }) error: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['tickets[3].status must be one of: open, pending, resolved, closed'],
  })
  message: string | string[];
  @ApiProperty({ example: '6f1c2d1e-7b1a-4a43-9c55-0d7f0b0f4b8e' }) request_id: string;
}
