/**
 * Validation of rendered Kubernetes objects with kubernetes-models.
 *
 * @module
 */
import { Deployment } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { ConfigMap, Service } from "kubernetes-models/v1";

// deno-lint-ignore no-explicit-any
type Obj = any;

/** Validates one object with kubernetes-models. */
export function validate(obj: Obj): void {
  switch (obj.kind) {
    case "Deployment":
      new Deployment(obj).validate();
      break;
    case "Job":
      new Job(obj).validate();
      break;
    case "ConfigMap":
      new ConfigMap(obj).validate();
      break;
    case "Service":
      new Service(obj).validate();
      break;
    default:
      throw new Error(`unexpected kind ${obj.kind}`);
  }
}
