// Identifier formats IAP uses: task ids are UUIDs, user/group/job ids are 24-hex (MongoDB ObjectId)
// strings, and a task's key inside its job is 1 to 4 hex digits.
import { randomBytes, randomUUID } from "node:crypto";

export const TASK_ID = /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/;
export const OBJECT_ID = /^[0-9a-fA-F]{24}$/;
export const TASK_KEY = /^[0-9a-fA-F]{1,4}$/;

export const newTaskId = (): string => randomUUID();
export const newObjectId = (): string => randomBytes(12).toString("hex");
export const newToken = (): string => randomBytes(24).toString("base64url");
