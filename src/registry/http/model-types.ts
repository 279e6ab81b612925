// The shape of the trimmed Lambda service model (service-model.ts): botocore's JSON model, input side only.

export interface MemberRef {
  shape: string;
  /** Where the member travels over REST: absent means the JSON body. */
  location?: 'uri' | 'querystring' | 'header' | 'headers';
  locationName?: string;
}

export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'double' | 'float' | 'blob' | 'timestamp';
  required?: string[];
  members?: Record<string, MemberRef>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  /** The member that is the whole HTTP body (Invoke's Payload). */
  payload?: string;
  min?: number;
  max?: number;
  enum?: string[];
  pattern?: string;
  sensitive?: boolean;
}

export interface ServiceModel {
  operations: Record<string, { method: string; requestUri: string; input?: string }>;
  shapes: Record<string, Shape>;
}
