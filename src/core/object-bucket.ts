// A minimal S3 beside the AWS APIs on the registry port: path-style GetObject and PutObject on buckets a room
// serves (an Invoke/Lambda job's artifacts), so a function with the AWS SDK reads its inputs and writes its outputs.

export interface ObjectBucketService {
  /** Whether this service answers for the bucket of a path-style request (`/bucket/key`). */
  hasBucket(bucket: string): boolean;
  /** The object's bytes, or undefined (NoSuchKey). */
  getObject(bucket: string, key: string): Promise<Buffer | undefined>;
  /** Stores the object; throws AwsApiError('AccessDenied', ..., 403) for a key nobody may write. */
  putObject(bucket: string, key: string, body: Buffer): Promise<void>;
}
