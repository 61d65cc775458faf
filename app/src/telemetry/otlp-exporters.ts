/**
 * The OTLP/gRPC span and log-record exporters: the SDK's own (OTLPTraceExporter, OTLPLogExporter
 * are these same three calls), with one change, the request encoding (otlp-encoding.ts). Endpoint,
 * headers, TLS, compression, timeout and every OTEL_EXPORTER_OTLP_* variable are read by the SDK's
 * code exactly as before; responses are decoded by the SDK's deserialisers.
 */
import {
  convertLegacyOtlpGrpcOptions,
  createOtlpGrpcExportDelegate,
  type OTLPGRPCExporterConfigNode,
} from '@opentelemetry/otlp-grpc-exporter-base';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  LogsExporterMetricsHelper,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
  type IExportLogsServiceResponse,
  type IExportTraceServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

import { encodeLogsRequest, encodeTraceRequest } from './otlp-encoding.ts';

const traceSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: encodeTraceRequest,
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};

const logsSerializer: ISerializer<ReadableLogRecord[], IExportLogsServiceResponse> = {
  serializeRequest: encodeLogsRequest,
  deserializeResponse: (data) => ProtobufLogsSerializer.deserializeResponse(data),
};

/** OTLP/gRPC span exporter: OTEL_EXPORTER_OTLP_[TRACES_]* as the SDK reads them. */
export class OtlpGrpcSpanExporter extends OTLPExporterBase<ReadableSpan[]> {
  constructor(config: OTLPGRPCExporterConfigNode = {}) {
    super(
      createOtlpGrpcExportDelegate(
        convertLegacyOtlpGrpcOptions(config, 'TRACES'),
        traceSerializer,
        'otlp_grpc_span_exporter',
        TraceExporterMetricsHelper,
        config.selfObsMeterProvider,
        'TraceExportService',
        '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      ),
    );
  }
}

/** OTLP/gRPC log-record exporter: OTEL_EXPORTER_OTLP_[LOGS_]* as the SDK reads them. */
export class OtlpGrpcLogExporter extends OTLPExporterBase<ReadableLogRecord[]> {
  constructor(config: OTLPGRPCExporterConfigNode = {}) {
    super(
      createOtlpGrpcExportDelegate(
        convertLegacyOtlpGrpcOptions(config, 'LOGS'),
        logsSerializer,
        'otlp_grpc_log_exporter',
        LogsExporterMetricsHelper,
        config.selfObsMeterProvider,
        'LogsExportService',
        '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
      ),
    );
  }
}
