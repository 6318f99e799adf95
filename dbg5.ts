import { debianImage } from "./tests/harness/debian.ts";
console.log(await debianImage(["openrc", "python3"]));
