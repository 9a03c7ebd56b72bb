import { gaussian } from './gaussian';
import { laplace } from './laplace';
import { MechanismRegistry } from './mechanism';

/** A registry with the built-in mechanisms; a new one (e.g. exponential) registers on it. */
export function defaultMechanisms(): MechanismRegistry {
  return new MechanismRegistry().register(laplace).register(gaussian);
}
