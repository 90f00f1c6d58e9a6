export {
  acceptUpload,
  cleanFileName,
  type UploadDependencies,
  type UploadReference,
  uploadProblems,
} from './accept.js';
export { checkUploadLimits, isSniffableType, type UploadLimits } from './limits.js';
export {
  addUploadRoute,
  fileNameFrom,
  sendUpload,
  type UploadBody,
  type UploadRouteOptions,
  uploadScanner,
  useScanner,
} from './route.js';
export {
  type ClamdOptions,
  clamdScanner,
  configuredScanner,
  noVirusScan,
  parseClamdUrl,
  type ScanVerdict,
  type VirusScanner,
} from './scan.js';
