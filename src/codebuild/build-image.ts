// Which local image stands in for a CodeBuild image name: aws/codebuild/standard:7.0 and its kin cannot be
// pulled here, so builds naming them run in pipe/standard:7.0, and the build says what differs.
import { STANDARD_IMAGE } from '../core/index.js';

export { STANDARD_IMAGE };

export interface LocalBuildImage {
  /** The image the container runs. */
  image: string;
  /** The name the build asked for, when a local image stands in for it. */
  standsFor?: string;
  /** The parity line: which local image stands in, and what differs. */
  parity?: string;
}

/** What pipe/standard:7.0 lacks against CodeBuild's standard:7.0 (Ubuntu 22.04). */
const STANDARD_DIFFERENCES =
  'Debian 12 instead of Ubuntu 22.04; Node.js 18, 20, 22; Python 3.11 only; OpenJDK 17 instead of Corretto 8/11/17/21; ' +
  'Go 1.19; Gradle 4.4.1; Ruby 3.1; PHP 8.2; no .NET, PowerShell, browsers, SAM CLI, kubectl or eksctl';

interface Alias {
  pattern: RegExp;
  differs: (match: RegExpExecArray) => string;
}

const ALIASES: readonly Alias[] = [
  {
    // aws/codebuild/standard:7.0, and dated tags such as 7.0-24.10.29.
    pattern: /^aws\/codebuild\/standard:(\d+\.\d+)(-[\w.]+)?$/,
    differs: (m) => (m[1] === '7.0' ? STANDARD_DIFFERENCES : `an image of standard:7.0's generation, not ${m[1]}: ${STANDARD_DIFFERENCES}`),
  },
  {
    pattern: /^aws\/codebuild\/amazonlinux2?-x86_64-standard:(\d+\.\d+)(-[\w.]+)?$/,
    differs: () =>
      `Debian instead of Amazon Linux: no yum, dnf or rpm packages, and /bin/sh is dash, not bash (set env.shell: bash for bash syntax); ${STANDARD_DIFFERENCES}`,
  },
];

/** The local image for a build's image name; names that are not CodeBuild's curated images are used as they are. */
export function resolveBuildImage(name: string): LocalBuildImage {
  for (const alias of ALIASES) {
    const m = alias.pattern.exec(name);
    if (m) {
      return { image: STANDARD_IMAGE, standsFor: name, parity: `image ${name} runs locally as ${STANDARD_IMAGE}: ${alias.differs(m)}` };
    }
  }
  return { image: name };
}
