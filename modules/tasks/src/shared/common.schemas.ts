import { z } from 'zod';

/** ISO timestamp in (`2026-12-01T09:00:00Z`, or a calendar date `2026-12-01`) → Date. */
export const timestampInput = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((value) => new Date(value));

export const timestampOutput = z.iso.datetime();

/** Custom fields, labels, story points: a JSON object, bounded so one task cannot hold megabytes. */
export const metadataInput = z
  .record(z.string().max(100), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 16_384, { message: 'metadata must serialise to at most 16 KiB of JSON' });

export const metadataOutput = z.record(z.string(), z.unknown());

/** A finite position on the fractional ordering line. */
export const positionInput = z.number().finite().min(-1e12).max(1e12);
