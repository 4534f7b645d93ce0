import type { DefaultObject } from './object.ts';

export type TypeclassConstructor = (abstract new (...args: never[]) => DefaultObject) & { typeclassPath: string };

export class UnknownTypeclassError extends Error {
  constructor(path: string, known: string[]) {
    super(`Unknown typeclass '${path}' (known: ${known.join(', ')})`);
    this.name = 'UnknownTypeclassError';
  }
}

/** Maps typeclass paths such as `typeclasses/character.Character` to classes. */
export class TypeclassRegistry {
  private readonly classes = new Map<string, TypeclassConstructor>();

  register(cls: TypeclassConstructor): this {
    this.classes.set(cls.typeclassPath, cls);
    return this;
  }

  has(path: string): boolean {
    return this.classes.has(path);
  }

  /** The class for `path`; throws UnknownTypeclassError naming the known paths. */
  resolve(path: string): TypeclassConstructor {
    const cls = this.classes.get(path);
    if (!cls) throw new UnknownTypeclassError(path, this.paths());
    return cls;
  }

  paths(): string[] {
    return [...this.classes.keys()].sort();
  }
}
