// Type declarations of minicloud-wx: the wx.cloud client API backed by Minicloud.

/** Options of install(). */
export interface InstallOptions {
  /** Minicloud's base URL, e.g. "https://api.example.com" (add it to the request domains). */
  endpoint: string;
  /** The environment id Minicloud serves (its --env-id). */
  env?: string;
  /** The mini-program's appid, sent with the wx.login code (optional: the server knows its appid). */
  appid?: string;
  /** wx.request timeout in ms (default: the app's networkTimeout). */
  timeout?: number;
  /** wx storage key of the session (default "minicloud:<env>:credentials"). */
  storageKey?: string;
  /** The wx object (default: the global wx). */
  wx?: any;
}

/** install sets wx.cloud to Minicloud's client and returns it. */
export function install(options: InstallOptions): WxCloud.Cloud;
/** createCloud returns a client without touching wx.cloud. */
export function createCloud(options: InstallOptions): WxCloud.Cloud;
export const version: string;
export const command: DB.Command;
export const Geo: DB.Geo;

/** How every wx.cloud API fails: an Error whose message is errMsg ("<api>:fail …"). */
export interface CloudError extends Error {
  errMsg: string;
  errCode: number;
  /** CloudBase's code, when the server gave one (e.g. "DATABASE_PERMISSION_DENIED"). */
  code?: string;
  requestId?: string;
}

export interface Callbacks<T> {
  success?: (res: T) => void;
  fail?: (err: CloudError) => void;
  complete?: (res: T | CloudError) => void;
}
/** Options that carry at least one callback: the call then returns no promise. */
export type WithCallbacks<T> = Callbacks<T> &
  ({ success: (res: T) => void } | { fail: (err: CloudError) => void } | { complete: (res: T | CloudError) => void });

interface ErrMsg {
  errMsg: string;
}

export namespace WxCloud {
  interface InitOptions {
    env?: string | { database?: string; functions?: string; storage?: string; default?: string };
    traceUser?: boolean;
  }
  interface CallFunctionOptions {
    name: string;
    data?: any;
    slow?: boolean;
    config?: { env?: string };
  }
  interface CallFunctionResult extends ErrMsg {
    result: any;
    requestID: string;
  }
  interface UploadFileOptions {
    cloudPath: string;
    filePath: string;
    header?: Record<string, string>;
    config?: { env?: string };
  }
  interface UploadFileResult extends ErrMsg {
    fileID: string;
    statusCode: number;
  }
  interface DownloadFileOptions {
    fileID: string;
    filePath?: string;
    config?: { env?: string };
  }
  interface DownloadFileResult extends ErrMsg {
    tempFilePath: string;
    filePath?: string;
    statusCode: number;
  }
  interface GetTempFileURLOptions {
    fileList: Array<string | { fileID: string; maxAge?: number }>;
    config?: { env?: string };
  }
  interface GetTempFileURLResult extends ErrMsg {
    fileList: Array<{ fileID: string; tempFileURL: string; maxAge?: number; status: number; errMsg: string }>;
  }
  interface DeleteFileOptions {
    fileList: string[];
    config?: { env?: string };
  }
  interface DeleteFileResult extends ErrMsg {
    fileList: Array<{ fileID: string; status: number; errMsg: string }>;
  }
  /** uploadFile/downloadFile in callback style return a task. */
  interface Task {
    abort(): void;
    onProgressUpdate(cb: (p: { progress: number; [k: string]: number }) => void): void;
    offProgressUpdate(cb: (p: { progress: number; [k: string]: number }) => void): void;
  }

  interface Cloud {
    readonly version: string;
    init(options?: InitOptions): void;
    database(config?: { env?: string; throwOnNotFound?: boolean }): DB.Database;

    callFunction(options: CallFunctionOptions & WithCallbacks<CallFunctionResult>): void;
    callFunction(options: CallFunctionOptions): Promise<CallFunctionResult>;

    uploadFile(options: UploadFileOptions & WithCallbacks<UploadFileResult>): Task;
    uploadFile(options: UploadFileOptions): Promise<UploadFileResult>;
    downloadFile(options: DownloadFileOptions & WithCallbacks<DownloadFileResult>): Task;
    downloadFile(options: DownloadFileOptions): Promise<DownloadFileResult>;
    getTempFileURL(options: GetTempFileURLOptions & WithCallbacks<GetTempFileURLResult>): void;
    getTempFileURL(options: GetTempFileURLOptions): Promise<GetTempFileURLResult>;
    deleteFile(options: DeleteFileOptions & WithCallbacks<DeleteFileResult>): void;
    deleteFile(options: DeleteFileOptions): Promise<DeleteFileResult>;

    /** Not resolved by Minicloud yet: passed to functions as {cloudID}. */
    CloudID(cloudID: string): { cloudID: string };
    CDN(target: any): { target: any };
    /** Not supported by Minicloud: fails. */
    callContainer(options: any): Promise<never>;
    /** Not supported by Minicloud: fails. */
    connectContainer(options: any): Promise<never>;

    /** Minicloud's additions (not part of wx.cloud). */
    minicloud: {
      readonly env: string;
      readonly endpoint: string;
      /** Sign in now (otherwise the first call does). */
      signIn(): Promise<void>;
      /** Revoke the session on the server and forget it on the device. */
      signOut(): Promise<void>;
      /** The signed-in user as the server describes it. */
      user(): Promise<{ openid: string; uid: string; [k: string]: any }>;
    };
  }
}

export namespace DB {
  type DocumentData = Record<string, any>;
  type Direction = 'asc' | 'desc';

  interface Database {
    readonly config: { throwOnNotFound?: boolean; env?: string };
    readonly command: Command;
    readonly Geo: Geo;
    collection(name: string): CollectionReference;
    serverDate(options?: { offset?: number }): ServerDate;
    RegExp(options: { regexp: string; options?: string }): DbRegExp;
  }

  interface GetResult extends ErrMsg {
    data: DocumentData[];
  }
  interface DocGetResult extends ErrMsg {
    data: DocumentData;
  }
  interface CountResult extends ErrMsg {
    total: number;
  }
  interface AddResult extends ErrMsg {
    _id: string | number;
  }
  interface SetResult extends ErrMsg {
    _id: string | number;
    stats: { updated: number; created: number };
  }
  interface UpdateResult extends ErrMsg {
    stats: { updated: number };
  }
  interface RemoveResult extends ErrMsg {
    stats: { removed: number };
  }
  interface AggregateResult extends ErrMsg {
    list: DocumentData[];
  }
  interface DataOptions {
    data: DocumentData;
  }

  interface WatchOptions {
    onChange: (snapshot: any) => void;
    onError: (error: CloudError) => void;
  }
  interface RealtimeListener {
    close(): Promise<void>;
  }

  interface Query {
    readonly collectionName: string;
    where(condition: DocumentData | LogicCommand): Query;
    orderBy(field: string, direction: Direction): Query;
    limit(n: number): Query;
    skip(n: number): Query;
    field(projection: Record<string, boolean | number | object>): Query;
    get(options: WithCallbacks<GetResult>): void;
    get(options?: {}): Promise<GetResult>;
    count(options: WithCallbacks<CountResult>): void;
    count(options?: {}): Promise<CountResult>;
    update(options: DataOptions & WithCallbacks<UpdateResult>): void;
    update(options: DataOptions): Promise<UpdateResult>;
    remove(options: WithCallbacks<RemoveResult>): void;
    remove(options?: {}): Promise<RemoveResult>;
    /** Realtime updates are not served by Minicloud yet: onError is called. */
    watch(options: WatchOptions): RealtimeListener;
  }

  interface CollectionReference extends Query {
    doc(id: string | number): DocumentReference;
    add(options: { data: DocumentData } & WithCallbacks<AddResult>): void;
    add(options: { data: DocumentData }): Promise<AddResult>;
    aggregate(): Aggregate;
  }

  interface DocumentReference {
    field(projection: Record<string, boolean | number | object>): DocumentReference;
    get(options: WithCallbacks<DocGetResult>): void;
    get(options?: {}): Promise<DocGetResult>;
    set(options: DataOptions & WithCallbacks<SetResult>): void;
    set(options: DataOptions): Promise<SetResult>;
    update(options: DataOptions & WithCallbacks<UpdateResult>): void;
    update(options: DataOptions): Promise<UpdateResult>;
    remove(options: WithCallbacks<RemoveResult>): void;
    remove(options?: {}): Promise<RemoveResult>;
    watch(options: WatchOptions): RealtimeListener;
  }

  interface Aggregate {
    addFields(fields: object): Aggregate;
    bucket(options: object): Aggregate;
    bucketAuto(options: object): Aggregate;
    count(field: string): Aggregate;
    facet(options: object): Aggregate;
    geoNear(options: object): Aggregate;
    group(group: object): Aggregate;
    limit(n: number): Aggregate;
    lookup(options: object): Aggregate;
    match(condition: DocumentData | LogicCommand): Aggregate;
    project(projection: object): Aggregate;
    replaceRoot(options: object): Aggregate;
    replaceWith(expr: object): Aggregate;
    sample(options: { size: number }): Aggregate;
    set(fields: object): Aggregate;
    skip(n: number): Aggregate;
    sort(sort: Record<string, 1 | -1>): Aggregate;
    sortByCount(expr: any): Aggregate;
    unset(fields: string | string[]): Aggregate;
    unwind(field: string | object): Aggregate;
    /** The stages as MongoDB pipeline objects (for lookup's pipeline). */
    done(): object[];
    end(options: WithCallbacks<AggregateResult>): void;
    end(options?: {}): Promise<AggregateResult>;
  }

  interface QueryCommand {
    readonly operator: string;
    and(...c: any[]): LogicCommand;
    or(...c: any[]): LogicCommand;
    eq(v: any): LogicCommand;
    neq(v: any): LogicCommand;
    gt(v: any): LogicCommand;
    gte(v: any): LogicCommand;
    lt(v: any): LogicCommand;
    lte(v: any): LogicCommand;
    in(list: any[]): LogicCommand;
    nin(list: any[]): LogicCommand;
  }
  interface LogicCommand {
    readonly operator: string;
    and(...c: any[]): LogicCommand;
    or(...c: any[]): LogicCommand;
  }
  interface UpdateCommand {
    readonly operator: string;
  }

  interface Command {
    eq(v: any): QueryCommand;
    neq(v: any): QueryCommand;
    gt(v: any): QueryCommand;
    gte(v: any): QueryCommand;
    lt(v: any): QueryCommand;
    lte(v: any): QueryCommand;
    in(list: any[]): QueryCommand;
    nin(list: any[]): QueryCommand;
    all(list: any[]): QueryCommand;
    elemMatch(condition: any): QueryCommand;
    exists(v: boolean): QueryCommand;
    size(n: number): QueryCommand;
    mod(divisor: number, remainder: number): QueryCommand;
    mod(pair: [number, number]): QueryCommand;
    geoNear(options: { geometry: Point; maxDistance?: number; minDistance?: number }): QueryCommand;
    geoWithin(options: { geometry: Polygon | MultiPolygon } | { centerSphere: [Point | [number, number], number] }): QueryCommand;
    geoIntersects(options: { geometry: Point | LineString | Polygon | MultiPoint | MultiLineString | MultiPolygon }): QueryCommand;
    and(...conditions: any[]): LogicCommand;
    or(...conditions: any[]): LogicCommand;
    nor(...conditions: any[]): LogicCommand;
    not(condition: QueryCommand | LogicCommand | RegExp | DbRegExp): LogicCommand;
    expr(aggregateExpression: any): { $expr: any };

    set(v: any): UpdateCommand;
    remove(): UpdateCommand;
    inc(n: number): UpdateCommand;
    mul(n: number): UpdateCommand;
    min(v: any): UpdateCommand;
    max(v: any): UpdateCommand;
    rename(newName: string): UpdateCommand;
    bit(op: { and?: number; or?: number; xor?: number }): UpdateCommand;
    push(...values: any[]): UpdateCommand;
    push(options: { each: any[]; position?: number; sort?: any; slice?: number }): UpdateCommand;
    pop(): UpdateCommand;
    shift(): UpdateCommand;
    unshift(...values: any[]): UpdateCommand;
    pull(condition: any): UpdateCommand;
    pullAll(values: any[]): UpdateCommand;
    addToSet(value: any | { each: any[] }): UpdateCommand;

    project: {
      slice(v: number | [number, number]): { $slice: number | [number, number] };
      elemMatch(condition: DocumentData): { $elemMatch: any };
    };
    /** Aggregation expression operators ($.sum, $.dateToString …) and pipeline(). */
    aggregate: { pipeline(): Aggregate } & Record<string, (param?: any) => Record<string, any>>;
  }

  interface Point {
    readonly longitude: number;
    readonly latitude: number;
    toJSON(): { type: 'Point'; coordinates: [number, number] };
  }
  interface LineString {
    readonly points: Point[];
    toJSON(): object;
  }
  interface Polygon {
    readonly lines: LineString[];
    toJSON(): object;
  }
  interface MultiPoint {
    readonly points: Point[];
    toJSON(): object;
  }
  interface MultiLineString {
    readonly lines: LineString[];
    toJSON(): object;
  }
  interface MultiPolygon {
    readonly polygons: Polygon[];
    toJSON(): object;
  }
  /** db.Geo: each constructor works with or without `new`. */
  interface Geo {
    Point: { new (longitude: number, latitude: number): Point; (longitude: number, latitude: number): Point };
    LineString: { new (points: Point[]): LineString; (points: Point[]): LineString };
    Polygon: { new (lines: LineString[]): Polygon; (lines: LineString[]): Polygon };
    MultiPoint: { new (points: Point[]): MultiPoint; (points: Point[]): MultiPoint };
    MultiLineString: { new (lines: LineString[]): MultiLineString; (lines: LineString[]): MultiLineString };
    MultiPolygon: { new (polygons: Polygon[]): MultiPolygon; (polygons: Polygon[]): MultiPolygon };
  }
  interface ServerDate {
    readonly offset: number;
  }
  interface DbRegExp {
    readonly regexp: string;
    readonly options: string;
  }
}
