/**
 * The shapes of lab and course files, generated from schemas/lab.schema.json and
 * schemas/course.schema.json by `npm run schema-types` (scripts/schema-types.mjs, with
 * json-schema-to-typescript@15.0.4). Do not edit by hand: change the schema and regenerate.
 * src/core/model.ts derives the model from these types.
 */

/**
 * An identifier: lower-case letters, digits and dashes, starting with a letter or digit.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "id".
 */
export type Id = string
/**
 * A Docker image reference [registry/]name[:tag][@digest], e.g. alpine, jupyter/base-notebook:latest, ${registry}/hello:v1. A missing tag means latest.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "imageRef".
 */
export type ImageRef = string
/**
 * A command the student runs in the terminal. Either the shell text itself, or a mapping with run and options. Placeholders ${workspaceFolder}, ${userHome}, ${labData} and ${registry} are filled in before use; any other ${...} is an error. Placeholder values are shell-quoted when filled in. Write shell variables as $NAME, not ${NAME}.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "command".
 */
export type Command = (string | {
/**
 * The shell text, exactly as the student would type it. Placeholders ${workspaceFolder}, ${userHome}, ${labData} and ${registry} are filled in before use; any other ${...} is an error.
 */
run: string
/**
 * A short label for the button; defaults to the command itself.
 */
label?: string
/**
 * The command removes something (docker rm -f, rmi, image rm, volume rm, any prune): the extension asks before running it. Required (error) for those commands.
 */
destructive?: boolean
/**
 * The command keeps the terminal busy until stopped (a server in the foreground). The extension offers Ctrl+C; the CLI test runner starts it without waiting for it to end.
 */
foreground?: boolean
/**
 * The command needs a TTY and a person typing (docker run -it, docker exec -it, docker attach). The CLI test runner never runs it, so give the step solution.commands that reach the same state without a TTY. Leaving this out on an -it command is a warning.
 */
interactive?: boolean
/**
 * The command needs the internet (Docker Hub); the CLI test runner reports it as skipped when offline.
 */
network?: boolean
/**
 * The exit code the command should end with: 0 (the default), another number for a command meant to fail, or any when its exit code does not matter. A command that ends otherwise fails its step at once with its output in container-labs test, and in the editor its exit code becomes the step's reason.
 */
exitCode?: (number | "any")
})
/**
 * Commands to run in the terminal, in order. A step whose commands change Docker state (run, create, start, stop, rm, rmi, pull, tag, push, build, volume create, prune...) must have a check (error).
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "commands".
 */
export type Commands = Command[]
/**
 * A container name as Docker accepts it: letters, digits, _, . and -, starting with a letter or digit.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "containerName".
 */
export type ContainerName = string
/**
 * A TCP or UDP port number, 1 to 65535.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "port".
 */
export type Port = number
/**
 * An absolute path inside the container, e.g. /home/jovyan/work.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "containerPath".
 */
export type ContainerPath = string
/**
 * A named volume: letters, digits, _, . and -, starting with a letter or digit.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "volumeName".
 */
export type VolumeName = string
/**
 * A network name: letters, digits, _, . and -, starting with a letter or digit.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "networkName".
 */
export type NetworkName = string
/**
 * Text that must not be empty.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "text".
 */
export type Text = string

/**
 * A hands-on Docker lab for the Container Labs extension: one lab per *.lab.yaml file.
 */
export interface ContainerLabsLab {
id: Id
/**
 * Title shown in the Labs tree.
 */
title: string
/**
 * One or two sentences on what the student will do, in Markdown.
 */
summary: string
/**
 * Estimated minutes to complete the lab.
 */
minutes: number
/**
 * The lab's own version, which you choose (e.g. 2025-spring or 1.2). Exported progress files carry it, so a class report can say which students did an older version of the lab.
 */
version?: string
/**
 * Image references the lab needs, name[:tag] (a missing tag means latest). The extension can pull them before the lab starts.
 */
images?: ImageRef[]
/**
 * The steps, in order.
 * 
 * @minItems 1
 */
steps: Step[]
}
/**
 * One step of the lab.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "step".
 */
export interface Step {
id: Id
/**
 * Short title shown in the tree.
 */
title: string
/**
 * What to do and why, in Markdown (raw HTML is not rendered).
 */
instructions: string
commands?: Commands
check?: Check
/**
 * Hints revealed one at a time, in Markdown.
 */
hints?: Text[]
solution?: Solution
quiz?: Quiz
/**
 * Points the step is worth in a class report (container-labs report). Default 1; 0 for a step that does not count.
 */
points?: number
}
/**
 * A declarative check of the Docker state: a mapping with exactly one key naming the kind of check. Combine checks with all, any and not. Placeholders ${workspaceFolder}, ${userHome}, ${labData} and ${registry} are filled in before use; any other ${...} is an error.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "check".
 */
export interface Check {
/**
 * Passes when every check in the list passes.
 * 
 * @minItems 1
 */
all?: Check[]
/**
 * Passes when at least one check in the list passes.
 * 
 * @minItems 1
 */
any?: Check[]
not?: Check
image?: ImagePresentCheck
imageAbsent?: ImageCheck
/**
 * A container matching these fields exists, optionally in a given state or with an exit code.
 */
container?: {
name?: ContainerName
image?: ImageRef
/**
 * The container's command (entrypoint path and arguments) must contain this text.
 */
commandContains?: string
/**
 * A label the container must carry: key or key=value.
 */
label?: string
/**
 * step (default): only containers created after the student opened the step count, so a container left over from yesterday cannot pass today's step. any: every container counts.
 */
since?: ("step" | "any")
/**
 * Required state; omitted means "exists in any state".
 */
state?: ("created" | "running" | "paused" | "restarting" | "exited" | "dead")
/**
 * Required exit code; implies the container has exited (so state, if given, must be exited).
 */
exitCode?: number
/**
 * The container was started with a TTY (-t).
 */
tty?: boolean
/**
 * The container keeps stdin open (-i).
 */
interactive?: boolean
/**
 * The container is removed automatically when it exits (--rm).
 */
autoRemove?: boolean
/**
 * The container's health, as its health check (--health-cmd, or HEALTHCHECK in the Dockerfile) last said: healthy, unhealthy, starting (not decided yet), or none (it has no health check).
 */
health?: ("healthy" | "unhealthy" | "starting" | "none")
/**
 * The restart policy it was started with (--restart): no (the default), always, unless-stopped or on-failure.
 */
restartPolicy?: ("no" | "always" | "unless-stopped" | "on-failure")
}
containerAbsent?: ContainerMatch
/**
 * A container publishes a port on the host.
 */
port?: {
container: ContainerMatch
containerPort: Port
/**
 * tcp (default) or udp.
 */
protocol?: ("tcp" | "udp")
hostPort?: Port
}
/**
 * A published port answers HTTP on the host where the engine publishes it. Redirects are not followed.
 */
http?: {
container: ContainerMatch
containerPort: Port
/**
 * Path to request, default /.
 */
path?: string
/**
 * Expected HTTP status; default: any 2xx or 3xx.
 */
status?: number
/**
 * Text the response body must contain.
 */
bodyContains?: string
/**
 * How long to wait for an answer, in milliseconds (default 5000).
 */
timeoutMs?: number
/**
 * A regular expression the response body must match somewhere. RE2 syntax (linear time: no look-around, no back-references); (?i) ignores case, (?m) makes ^ and $ match at each line.
 */
bodyMatches?: string
}
/**
 * A container has a mount (bind mount, named volume or tmpfs) at a path.
 */
mount?: {
container: ContainerMatch
/**
 * bind, volume or tmpfs; omitted means any.
 */
type?: ("bind" | "volume" | "tmpfs")
/**
 * Host path (bind) or volume name (volume). Placeholders ${workspaceFolder}, ${userHome}, ${labData} and ${registry} are filled in before use; any other ${...} is an error.
 */
source?: string
destination: ContainerPath
/**
 * true: the mount must be read-only (:ro); false: it must be writable.
 */
readOnly?: boolean
}
/**
 * A file exists, inside a running container or (without container) on the host, optionally with some content.
 */
file?: {
container?: ContainerMatch
/**
 * Absolute path of the file. On the host it may start with a placeholder such as ${labData}. Placeholders ${workspaceFolder}, ${userHome}, ${labData} and ${registry} are filled in before use; any other ${...} is an error.
 */
path: string
/**
 * Text the file must contain.
 */
contains?: string
/**
 * A regular expression the file's content must match somewhere. RE2 syntax (linear time: no look-around, no back-references); (?i) ignores case, (?m) makes ^ and $ match at each line.
 */
matches?: string
}
/**
 * A container's logs (stdout and stderr) contain some text or match a pattern (give contains, matches or both).
 */
logs?: {
container: ContainerMatch
/**
 * Text the logs must contain.
 */
contains?: string
/**
 * A regular expression the logs must match somewhere. RE2 syntax (linear time: no look-around, no back-references); (?i) ignores case, (?m) makes ^ and $ match at each line.
 */
matches?: string
}
/**
 * A container was created with an environment variable (-e NAME=value).
 */
env?: {
container: ContainerMatch
/**
 * Variable name, e.g. PASSWORD.
 */
name: string
/**
 * Required value; omitted means "set to anything".
 */
value?: string
}
volume?: VolumeCheck
volumeAbsent?: VolumeCheck
network?: NetworkCheck
networkAbsent?: NetworkAbsentCheck
}
/**
 * An image reference, and what its configuration (what the Dockerfile set) must hold.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "imagePresentCheck".
 */
export interface ImagePresentCheck {
ref: ImageRef
/**
 * Labels the image must carry (LABEL in the Dockerfile): key (any value) or key=value.
 * 
 * @minItems 1
 */
labels?: string[]
/**
 * Environment variables the image sets (ENV): NAME (any value) or NAME=value.
 * 
 * @minItems 1
 */
env?: string[]
/**
 * The image's default command (CMD, exec form), exactly, one list item per argument.
 */
cmd?: string[]
/**
 * The image's entrypoint (ENTRYPOINT, exec form), exactly, one list item per argument.
 */
entrypoint?: string[]
/**
 * Ports the image declares (EXPOSE): a number (TCP) or port/tcp, port/udp.
 * 
 * @minItems 1
 */
exposedPorts?: (number | string)[]
/**
 * The image's working directory (WORKDIR), an absolute path.
 */
workingDir?: string
/**
 * The user the image runs as (USER): a name or uid, optionally :group.
 */
user?: string
}
/**
 * An image reference.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "imageCheck".
 */
export interface ImageCheck {
ref: ImageRef
}
/**
 * Which containers the check is about. Every field given must match; {} means any container created since the step was opened.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "containerMatch".
 */
export interface ContainerMatch {
name?: ContainerName
image?: ImageRef
/**
 * The container's command (entrypoint path and arguments) must contain this text.
 */
commandContains?: string
/**
 * A label the container must carry: key or key=value.
 */
label?: string
/**
 * step (default): only containers created after the student opened the step count, so a container left over from yesterday cannot pass today's step. any: every container counts.
 */
since?: ("step" | "any")
}
/**
 * A named volume.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "volumeCheck".
 */
export interface VolumeCheck {
name: VolumeName
}
/**
 * A network, and optionally its driver and a container connected to it.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "networkCheck".
 */
export interface NetworkCheck {
name: NetworkName
/**
 * The network's driver: bridge (what docker network create makes by default), overlay, macvlan, ...
 */
driver?: string
container?: ContainerMatch
}
/**
 * A network name.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "networkAbsentCheck".
 */
export interface NetworkAbsentCheck {
name: NetworkName
}
/**
 * The solution, shown behind a confirmation.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "solution".
 */
export interface Solution {
/**
 * Markdown explaining the solution.
 */
text?: string
/**
 * Commands that solve the step without a person (no TTY, no prompts). The CLI test runner runs these; without them it runs the step's own non-interactive commands. An -it command here is an error.
 */
commands?: Command[]
}
/**
 * A question with choices. A step may have a quiz and commands or a check; it is then done when the check passes and the quiz is answered right.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "quiz".
 */
export interface Quiz {
/**
 * The question, in Markdown.
 */
question: string
/**
 * The choices, in Markdown, at least two.
 * 
 * @minItems 2
 */
choices: Text[]
/**
 * Index (0-based) of the right choice, or a list of indexes when several are right ("pick all that apply"). Each must point at a choice (error).
 */
answer: (number | number[])
/**
 * Why the answer is right, shown after the student answers, in Markdown.
 */
explanation: string
}
/**
 * A translation of a lab: a file named like its lab with the language before .yaml (01-first-containers.lab.es.yaml beside 01-first-containers.lab.yaml). It gives the words in that language: titles, instructions, hints, solution text and quiz text. Commands, checks and answers stay in the lab itself. Anything left out is shown from the lab.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "translation".
 */
export interface ContainerLabsLabTranslation {
translationOf: Id
/**
 * The lab's title in this language.
 */
title?: string
/**
 * The lab's summary in this language, in Markdown.
 */
summary?: string
/**
 * Every step of the lab, by id, in any order. A step of the lab that is missing here, or a step here that the lab does not have, is an error (the translation has drifted from its lab).
 */
steps: TranslatedStep[]
}
/**
 * The words of one step in this language; its id names the step of the lab.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "translatedStep".
 */
export interface TranslatedStep {
id: Id
/**
 * The step's title.
 */
title?: string
/**
 * The step's instructions, in Markdown.
 */
instructions?: string
/**
 * The hints, as many as the lab's step has, in the same order.
 */
hints?: Text[]
/**
 * The solution's text (its commands stay in the lab).
 */
solution?: {
/**
 * The solution's explanation, in Markdown.
 */
text?: string
}
/**
 * The quiz's words: the question, the choices (as many as the lab's quiz has, in the same order, so the answer still points at the right one) and the explanation.
 */
quiz?: {
/**
 * The question, in Markdown.
 */
question?: string
/**
 * The choices, in the lab's order.
 */
choices?: Text[]
/**
 * Shown after an answer, in Markdown.
 */
explanation?: string
}
}
/**
 * A course groups labs in order: one course per *.course.yaml file.
 * 
 * This interface was referenced by `ContainerLabsLab`'s JSON-Schema
 * via the `definition` "course".
 */
export interface ContainerLabsCourse {
id: Id
/**
 * Title shown in the Labs tree.
 */
title: string
/**
 * What the course covers, in Markdown.
 */
summary: string
/**
 * Ids of the labs in this course, in order. Each must name a lab that exists (error).
 * 
 * @minItems 1
 */
labs: Id[]
}
