import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'platform:public';

/** Marks a route (or controller) that skips authentication. Every other route needs a valid access token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
