import { Matches } from 'class-validator';

/** Env vars arrive as strings, so numeric and boolean rules are expressed as patterns with clear messages. */
export const IsIntString = (min = 0) =>
  Matches(min > 0 ? /^[1-9]\d*$/ : /^\d+$/, { message: `must be a whole number${min > 0 ? ` ≥ ${min}` : ' ≥ 0'}` });
export const IsBoolString = () =>
  Matches(/^(true|false|1|0|yes|no|on|off)$/i, { message: 'must be true or false' });
export const IsPortString = () =>
  Matches(/^([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/, {
    message: 'must be a TCP port between 1 and 65535',
  });
export const IsHttpUrl = () => Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' });
export const IsRedisUrl = () => Matches(/^rediss?:\/\/[^\s]*$/, { message: 'must be a redis:// or rediss:// URL' });
export const IsPostgresUrl = () =>
  Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: 'must be a postgres:// or postgresql:// URL' });
