import { applyDecorators, HttpCode } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

/** A success without a body: 204, documented as such. (Belongs beside ApiResult in http/zod.ts.) */
export function ApiNoContent(description = 'Done'): MethodDecorator {
  return applyDecorators(HttpCode(204), ApiResponse({ status: 204, description }));
}
