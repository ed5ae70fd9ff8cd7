/** The world's self-description, for targets that run the world elsewhere (local: inside a container). */
export { descriptionSecrets, type WorldDescription } from '../../world/world-description.ts';
