// simple-peer's standalone browser bundle (no Node globals needed) has the same API.
declare module 'simple-peer/simplepeer.min.js' {
  import SimplePeer from 'simple-peer';
  export default SimplePeer;
}
