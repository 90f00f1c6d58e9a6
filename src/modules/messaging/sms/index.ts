export {
  asE164,
  createSmsSimulator,
  type E164,
  isE164,
  type SimulatedSms,
  SMS_OUTBOX_FILE,
  type SmsGateway,
  type SmsReceipt,
  SmsRejected,
  type SmsSimulator,
  type SmsSimulatorOptions,
} from './gateway.js';
export {
  countSegments,
  isGsm7,
  isGsm7Char,
  type SegmentCount,
  type SmsEncoding,
  smsText,
  toGsm7,
} from './gsm7.js';
export {
  createHttpSmsGateway,
  type DeliveryReport,
  type HttpSmsGatewayOptions,
  readDeliveryReports,
} from './http-gateway.js';
