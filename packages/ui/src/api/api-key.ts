import { useSyncExternalStore } from "react";

/** Where the API key is kept: this tab's session, or this browser when the user chose to remember it. */
const STORAGE_KEY = "weir-api-key";

/** A pending request for the key: why it is needed, and how to answer it (`null`: give up). */
export interface KeyRequest {
  reason: string;
  answer: (key: string | null, remember?: boolean) => void;
}

let current: KeyRequest | null = null;
let memory: string | undefined;
const listeners = new Set<() => void>();

function setRequest(request: KeyRequest | null): void {
  current = request;
  for (const listener of listeners) listener();
}

/**
 * The API key writes are sent with, if the user gave one: remembered on this browser, else for
 * this tab's session (in memory where storage is blocked).
 * @example const key = storedApiKey(); if (key) headers.authorization = `Bearer ${key}`;
 */
export function storedApiKey(): string | undefined {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? sessionStorage.getItem(STORAGE_KEY) ?? memory;
  } catch {
    return memory;
  }
}

function storeKey(key: string, remember: boolean): void {
  memory = key;
  try {
    if (remember) localStorage.setItem(STORAGE_KEY, key);
    else {
      localStorage.removeItem(STORAGE_KEY);
      sessionStorage.setItem(STORAGE_KEY, key);
    }
  } catch {
    // storage blocked: the in-memory copy serves this page
  }
}

/**
 * Asks the user for the API key (the `ApiKeyDialog` shows the request) and resolves with the key,
 * stored for the next writes, or `null` when the user cancelled. A request made while one is open
 * waits on the same answer.
 * @example if ((await requestApiKey(error.message)) === null) throw error;
 */
export function requestApiKey(reason: string): Promise<string | null> {
  return new Promise((resolve) => {
    const previous = current;
    setRequest({
      reason,
      answer: (key, remember = false) => {
        if (key !== null) storeKey(key, remember);
        setRequest(null);
        previous?.answer(key, remember);
        resolve(key);
      },
    });
  });
}

const subscribe = (listener: () => void): (() => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** The pending key request, re-rendered when one opens or is answered. */
export function useKeyRequest(): KeyRequest | null {
  return useSyncExternalStore(subscribe, () => current);
}
