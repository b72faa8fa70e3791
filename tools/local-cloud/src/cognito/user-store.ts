import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { UserPoolDefinition } from './user-pool-config.ts';

/**
 * The users of one local pool, its signing key and its refresh tokens. With a folder, all of it is
 * one JSON file rewritten (by rename, so a kill leaves the old or the new one whole) after every
 * change: users and the tokens already handed out survive a restart.
 */
export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';

export interface StoredUser {
  /** Cognito's username: the `sub` itself when the pool signs in with email or phone number. */
  username: string;
  sub: string;
  /** Every attribute but `sub`, as strings (`email_verified` is `"true"`). */
  attributes: Record<string, string>;
  passwordHash?: string;
  status: UserStatus;
  enabled: boolean;
  /** Epoch milliseconds. */
  createdAt: number;
  modifiedAt: number;
  temporaryPasswordExpiresAt?: number;
  confirmation?: { code: string; expiresAt: number };
}

export interface StoredRefreshToken {
  /** SHA-256 of the token: the file never holds a token that works. */
  hash: string;
  username: string;
  clientId: string;
  expiresAt: number;
  /** Epoch seconds of the sign-in, kept in the tokens every refresh issues. */
  authTime: number;
  originJti: string;
}

interface StateFile {
  signingKey: JWK;
  users: StoredUser[];
  refreshTokens: StoredRefreshToken[];
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export class UserStore {
  readonly #pool: UserPoolDefinition;
  readonly #file: string | undefined;
  readonly #users: StoredUser[];
  #refreshTokens: StoredRefreshToken[];
  readonly signingKey: JWK;

  /** Reads the pool's file when there is one; `newKey` makes the signing key of a pool seen for the first time. */
  static async open(pool: UserPoolDefinition, dir: string | undefined, newKey: () => Promise<JWK>) {
    const file = dir === undefined ? undefined : join(dir, `${pool.id}.json`);
    if (file && existsSync(file)) {
      const state = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
      return new UserStore(pool, file, state);
    }
    if (dir !== undefined) mkdirSync(dir, { recursive: true });
    const store = new UserStore(pool, file, { signingKey: await newKey(), users: [], refreshTokens: [] });
    store.save();
    return store;
  }

  private constructor(pool: UserPoolDefinition, file: string | undefined, state: StateFile) {
    this.#pool = pool;
    this.#file = file;
    this.#users = state.users;
    this.signingKey = state.signingKey;
    this.#refreshTokens = state.refreshTokens.filter((token) => token.expiresAt > Date.now());
  }

  all(): readonly StoredUser[] {
    return this.#users;
  }

  /** The user this name designates: its username, or what the pool signs in with instead. */
  find(name: unknown): StoredUser | undefined {
    if (typeof name !== 'string' || name === '') return undefined;
    const same = this.#pool.usernameCaseSensitive
      ? (value: string | undefined) => value === name
      : (value: string | undefined) => value?.toLowerCase() === name.toLowerCase();
    return (
      this.#users.find((user) => same(user.username)) ??
      this.#users.find((user) =>
        this.#pool.usernameAttributes.some((attribute) => same(user.attributes[attribute])),
      ) ??
      this.#users.find((user) =>
        this.#pool.aliasAttributes.some(
          (alias) =>
            same(user.attributes[alias]) &&
            (alias === 'preferred_username' || user.attributes[`${alias}_verified`] === 'true'),
        ),
      )
    );
  }

  add(user: StoredUser): void {
    this.#users.push(user);
    this.save();
  }

  delete(user: StoredUser): void {
    this.#users.splice(this.#users.indexOf(user), 1);
    this.#refreshTokens = this.#refreshTokens.filter((token) => token.username !== user.username);
    this.save();
  }

  addRefreshToken(token: StoredRefreshToken): void {
    this.#refreshTokens = this.#refreshTokens.filter((kept) => kept.expiresAt > Date.now());
    this.#refreshTokens.push(token);
    this.save();
  }

  refreshToken(token: string): StoredRefreshToken | undefined {
    const hash = hashToken(token);
    return this.#refreshTokens.find((kept) => kept.hash === hash);
  }

  /** Writes the state after a change (callers change a user in place, then save). */
  save(): void {
    if (this.#file === undefined) return;
    const state: StateFile = {
      signingKey: this.signingKey,
      users: this.#users,
      refreshTokens: this.#refreshTokens,
    };
    const next = `${this.#file}.next`;
    writeFileSync(next, JSON.stringify(state));
    renameSync(next, this.#file);
  }
}
