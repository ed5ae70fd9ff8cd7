/**
 * The images of the world that `--env=local` runs under a container engine here (world/images/): named for
 * the local target and for scripts/build-images.ts. Only harness/targets/embedded* may import world/.
 */
export { imageRecipes, INPUTS_LABEL, MARIADB_IMAGE, STAND_IN_IMAGE, type ImageRecipe } from '../../world/images/image-recipes.ts';
export { appFiles, IMAGES_DIR, inputsDigest, PROJECT_ROOT, rootfsDigest, SUITE } from '../../world/images/image-inputs.ts';
